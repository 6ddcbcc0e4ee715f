DROP INDEX posts_staff_idx;
