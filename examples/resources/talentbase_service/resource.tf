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
  preflight   = true # plans check ECR, the cluster, the listener, secrets and network

  default_tags = {
    Project   = "TalentBase"
    ManagedBy = "Terraform"
  }
}

variable "image_tag" {
  description = "Image tag to deploy, e.g. the git SHA: terraform apply -var image_tag=sha-3f9c2e1"
  type        = string
}

variable "private_subnet_ids" {
  type = list(string)
}

variable "service_sg_id" {
  type = string
}

variable "https_listener_arn" {
  type = string
}

variable "execution_role_arn" {
  type = string
}

variable "task_role_arn" {
  type = string
}

variable "session_secret_arn" {
  description = "Secrets Manager ARN of the session secret (JSON key SESSION_SECRET)"
  type        = string
}

resource "talentbase_service" "web" {
  name    = "talentbase-web-prod"
  cluster = "talentbase-prod"
  role    = "web"

  # Names of the bundle's objects; each defaults to one derived from name.
  family            = "talentbase-web-prod"
  container_name    = "app"
  log_group_name    = "/ecs/talentbase-web-prod"
  target_group_name = "talentbase-web-prod"

  image     = "123456789012.dkr.ecr.us-east-1.amazonaws.com/talentbase/web"
  image_tag = var.image_tag
  cpu       = 1024
  memory    = 2048
  port      = 3000

  environment = {
    NODE_ENV = "production"
    PORT     = "3000"
  }
  secrets = {
    SESSION_SECRET = "${var.session_secret_arn}:SESSION_SECRET::"
  }

  execution_role_arn = var.execution_role_arn
  task_role_arn      = var.task_role_arn

  health_check {
    command      = ["CMD-SHELL", "curl -f http://localhost:3000/ || exit 1"]
    interval     = 30
    timeout      = 10
    retries      = 3
    start_period = 180
  }

  network {
    subnets          = var.private_subnet_ids
    security_groups  = [var.service_sg_id]
    assign_public_ip = false
  }

  load_balancer {
    listener_arn  = var.https_listener_arn
    priority      = 100
    host_headers  = ["app.example.com"]
    path_patterns = ["/*"]

    health_check {
      path                = "/"
      matcher             = "200-399"
      interval            = 30
      timeout             = 10
      healthy_threshold   = 2
      unhealthy_threshold = 3
    }

    stickiness {
      type        = "app_cookie"
      cookie_name = "TALENTBASE_SESSION"
      duration    = 86400
    }
    deregistration_delay = 30
  }

  deployment {
    minimum_healthy_percent   = 100
    maximum_percent           = 200
    rollback                  = true
    health_check_grace_period = 180
    wait_for_steady_state     = true
  }

  capacity {
    fargate_base   = 2
    fargate_weight = 60
    spot_weight    = 40
  }

  autoscaling {
    min_capacity        = 2
    max_capacity        = 10
    cpu_target          = 70
    memory_target       = 80
    requests_per_target = 1000
    scale_in_cooldown   = 300
    scale_out_cooldown  = 60

    # or schedule { name = "business-hours" ... } blocks
    schedules = {
      "business-hours" = {
        schedule     = "cron(0 8 ? * MON-FRI *)"
        timezone     = "America/Sao_Paulo"
        min_capacity = 2
        max_capacity = 10
      }
      "after-hours" = {
        schedule     = "cron(0 18 ? * MON-FRI *)"
        timezone     = "America/Sao_Paulo"
        min_capacity = 1
        max_capacity = 4
      }
    }
  }

  logs {
    retention_days    = 30
    retain_on_destroy = true
  }

  enable_execute_command = true

  tags = {
    Service = "web"
  }

  timeouts {
    create = "20m"
    update = "20m"
    delete = "20m"
  }
}

output "service_arn" {
  value = talentbase_service.web.arn
}

output "deployed_image" {
  value = talentbase_service.web.deployed_image
}
