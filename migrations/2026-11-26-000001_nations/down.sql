DROP TABLE nations;
