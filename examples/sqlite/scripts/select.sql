SELECT name, moons FROM planets WHERE moons > 0 ORDER BY moons DESC;
SELECT count(*), sum(moons), printf('%.2f', avg(au)) FROM planets;
SELECT group_concat(name, ',') FROM (SELECT name FROM planets ORDER BY au);
PRAGMA integrity_check;
