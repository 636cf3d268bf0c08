# An RDS Proxy is imported by its name.
terraform import talentbase_database_proxy.main talentbase-prod-rds-proxy
