DROP TABLE post_slugs;
