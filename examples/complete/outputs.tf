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

output "cluster_container_insights" {
  value = data.talentbase_platform.this.container_insights
}
