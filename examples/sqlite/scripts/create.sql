CREATE TABLE planets (name TEXT PRIMARY KEY, moons INTEGER, au REAL);
CREATE INDEX by_moons ON planets (moons);
