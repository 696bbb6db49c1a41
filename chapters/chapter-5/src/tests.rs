sessions::behaviour_suite!(crate::CHAPTER);
sessions::redis_store_suite!(crate::CHAPTER);
