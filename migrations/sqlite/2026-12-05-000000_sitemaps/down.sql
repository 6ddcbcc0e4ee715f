DROP INDEX posts_addresses_idx;
