-- One database per service, plus the resident key vault and the identity store (run once, on an empty data volume).
CREATE DATABASE relais_intake;
CREATE DATABASE relais_matching;
CREATE DATABASE relais_feedback;
CREATE DATABASE relais_billing;
CREATE DATABASE relais_employment;
CREATE DATABASE relais_vault;
CREATE DATABASE relais_identity;
