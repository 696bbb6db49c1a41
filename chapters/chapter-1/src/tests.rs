sessions::behaviour_suite!(super::CHAPTER);
