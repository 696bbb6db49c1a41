sessions::behaviour_suite!(super::CHAPTER);
sessions::redis_store_suite!(super::CHAPTER);
