sessions::behaviour_suite!(crate::CHAPTER);
