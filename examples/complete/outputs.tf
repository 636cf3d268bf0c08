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

output "alarm_names" {
  value = concat(values(talentbase_alarm_set.web.alarm_names), values(talentbase_alarm_set.api.alarm_names))
}

output "session_secret_env_refs" {
  description = "The valueFrom strings the web service reads its secret with."
  value       = talentbase_secret.session.env_refs
}

output "database_secret_arn" {
  value = talentbase_secret.database.arn
}

output "api_url_parameter" {
  value = talentbase_parameter.api_url.env_ref
}

output "execution_role_read_policy" {
  description = "Attach to the execution role: it may read exactly the session secret."
  value       = talentbase_secret.session.read_policy_json
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

output "cluster_container_insights" {
  value = data.talentbase_platform.this.container_insights
}
