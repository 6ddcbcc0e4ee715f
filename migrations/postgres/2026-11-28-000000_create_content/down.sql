DROP TABLE posts_tags;
DROP TABLE posts_authors;
DROP TABLE posts;
DROP TABLE tags;
DROP TABLE authors;
