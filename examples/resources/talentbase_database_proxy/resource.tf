terraform {
  required_providers {
    talentbase = {
      source = "registry.talentbase.internal/platform/talentbase"
    }
  }
}

provider "talentbase" {
  region      = "us-east-1"
  environment = "production"

  default_tags = {
    Project   = "TalentBase"
    ManagedBy = "Terraform"
  }
}

variable "private_subnet_ids" {
  type = list(string)
}

variable "proxy_sg_id" {
  type = string
}

variable "proxy_role_arn" {
  description = "Role the proxy reads the database secret with."
  type        = string
}

variable "db_secret_arn" {
  description = "Secrets Manager secret with the database user's {\"username\", \"password\"}."
  type        = string
}

resource "talentbase_database_proxy" "main" {
  name          = "talentbase-prod-rds-proxy"
  engine_family = "POSTGRESQL"
  role_arn      = var.proxy_role_arn

  auth {
    secret_arn = var.db_secret_arn
    iam_auth   = "DISABLED"
  }

  subnets             = var.private_subnet_ids
  security_groups     = [var.proxy_sg_id]
  require_tls         = true
  idle_client_timeout = 1800
  debug_logging       = false

  target {
    db_cluster = "talentbase-prod"
  }

  pool {
    connection_borrow_timeout    = 120
    max_connections_percent      = 100
    max_idle_connections_percent = 50
  }

  reader_endpoint {
    enabled = false
  }

  wait_for_targets = true

  timeouts {
    create = "30m"
    delete = "60m"
  }
}

output "db_env" {
  description = "DB_HOST and DB_PORT, for talentbase_service.environment"
  value       = talentbase_database_proxy.main.env
}
