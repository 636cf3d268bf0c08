variable "image_tag" {
  description = "Immutable image tag to deploy, e.g. the Git commit: -var image_tag=$GIT_SHA."
  type        = string
}

variable "region" {
  type    = string
  default = "us-east-1"
}

variable "environment" {
  description = "production, staging or development."
  type        = string
  default     = "production"
}

variable "cluster" {
  description = "Name of the shared ECS cluster."
  type        = string
  default     = "talentbase-prod"
}

variable "load_balancer" {
  description = "Name of the shared ALB."
  type        = string
  default     = "talentbase-prod"
}

variable "listener_port" {
  description = "Port of the ALB listener the services attach to."
  type        = number
  default     = 443
}

variable "vpc_name" {
  description = "Name tag of the VPC; its subnets tagged Tier = private run the tasks."
  type        = string
  default     = "talentbase-prod"
}

variable "service_security_group" {
  description = "Name of the services' security group."
  type        = string
  default     = "talentbase-services"
}

variable "execution_role" {
  description = "Name of the task execution role (pulls images, reads secrets, writes logs)."
  type        = string
  default     = "talentbase-prod-execution"
}

variable "web_task_role" {
  description = "Name of the web service's task role (what the application may call)."
  type        = string
  default     = "talentbase-prod-web-task"
}

variable "api_task_role" {
  description = "Name of the API service's task role."
  type        = string
  default     = "talentbase-prod-api-task"
}

variable "database_host" {
  description = "Endpoint of the API's database (stored beside its generated password)."
  type        = string
  default     = "talentbase.cluster-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"
}

variable "alerts_topic_arn" {
  description = "SNS topic the alarms notify (the on-call rota subscribes to it)."
  type        = string
}

variable "database_cluster" {
  description = "Identifier of the Aurora cluster the RDS Proxy fronts."
  type        = string
}

variable "proxy_role_arn" {
  description = "IAM role the RDS Proxy reads the database secret with."
  type        = string
}

variable "proxy_sg_id" {
  description = "Security group of the RDS Proxy (outbound to the database port)."
  type        = string
}

variable "domain" {
  type    = string
  default = "app.talentbase.example"
}

variable "extra_environment" {
  description = "Additional plain environment variables for the web service."
  type        = map(string)
  default     = {}
}

variable "preflight" {
  description = "Check the plan against live AWS (TB021-TB027); false for offline plans."
  type        = bool
  default     = true
}
