-- One database per service, plus the resident key vault (run once, on an empty data volume).
CREATE DATABASE relais_intake;
CREATE DATABASE relais_matching;
CREATE DATABASE relais_feedback;
CREATE DATABASE relais_billing;
CREATE DATABASE relais_employment;
CREATE DATABASE relais_vault;
