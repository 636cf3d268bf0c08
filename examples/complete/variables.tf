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
}

variable "private_subnet_ids" {
  description = "Private subnets the tasks run in (two or more AZs)."
  type        = list(string)
}

variable "service_sg_id" {
  description = "Security group of the services."
  type        = string
}

variable "https_listener_arn" {
  description = "ARN of the shared ALB's listener the services attach to."
  type        = string
}

variable "execution_role_arn" {
  description = "Task execution role (pulls images, reads secrets, writes logs)."
  type        = string
}

variable "web_task_role_arn" {
  description = "Task role of the web service (what the application may call)."
  type        = string
}

variable "api_task_role_arn" {
  description = "Task role of the API service."
  type        = string
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
