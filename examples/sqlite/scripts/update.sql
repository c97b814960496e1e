BEGIN;
INSERT INTO planets VALUES ('Mercury', 0, 0.39), ('Venus', 0, 0.72), ('Earth', 1, 1.0),
  ('Mars', 2, 1.52), ('Jupiter', 95, 5.2), ('Saturn', 146, 9.54);
UPDATE planets SET moons = moons + 0 WHERE au > 5;
COMMIT;
