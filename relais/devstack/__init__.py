"""The whole platform on one machine: embedded Tansu or Apache Kafka, the services as processes, the demo federation."""
