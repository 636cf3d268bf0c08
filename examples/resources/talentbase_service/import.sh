# A service is imported by <cluster>/<service name>; the target group,
# listener rule, autoscaling and log group are read back with it.
terraform import talentbase_service.web talentbase-prod/talentbase-web-prod
