sessions::behaviour_suite!(crate::CHAPTER);
sessions::server_store_suite!(crate::CHAPTER);
