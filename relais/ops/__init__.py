"""Operations on a running federation: dead letters (list, replay) and restoring a wiped broker."""
