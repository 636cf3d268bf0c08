output "web_service_arn" {
  value = talentbase_service.web.arn
}

output "web_task_definition" {
  value = talentbase_service.web.task_definition_arn
}

output "web_target_group_arn" {
  value = talentbase_service.web.target_group_arn
}

output "web_deployed_image" {
  value = talentbase_service.web.deployed_image
}

output "api_service_arn" {
  value = talentbase_service.api.arn
}

output "log_groups" {
  value = [talentbase_service.web.log_group_name, talentbase_service.api.log_group_name]
}

output "rds_proxy_endpoint" {
  description = "RDS Proxy endpoint the API connects to (DB_HOST)"
  value       = talentbase_database_proxy.main.endpoint
}

output "rds_proxy_reader_endpoint" {
  description = "Read-only endpoint of the RDS Proxy"
  value       = talentbase_database_proxy.main.reader_endpoint_address
}

output "rds_proxy_arn" {
  value = talentbase_database_proxy.main.arn
}

output "database_env" {
  description = "What the API's environment gets from the proxy: DB_HOST and DB_PORT"
  value       = talentbase_database_proxy.main.env
}
