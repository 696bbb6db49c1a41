sessions::behaviour_suite!(super::CHAPTER);
sessions::server_store_suite!(super::CHAPTER);
