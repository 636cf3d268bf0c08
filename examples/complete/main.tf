locals {
  image_repository = "123456789012.dkr.ecr.${var.region}.amazonaws.com/talentbase"
}

# The shared objects the platform team hands over by name.
data "talentbase_platform" "this" {
  cluster         = var.cluster
  load_balancer   = var.load_balancer
  listener_port   = var.listener_port
  vpc_tag         = { Name = var.vpc_name }
  subnet_tag      = { Tier = "private" }
  security_groups = [var.service_security_group]
  roles           = [var.execution_role, var.web_task_role, var.api_task_role]
}

resource "talentbase_service" "web" {
  name    = "talentbase-web-${var.environment}"
  cluster = data.talentbase_platform.this.cluster
  role    = "web"

  image     = "${local.image_repository}/web"
  image_tag = var.image_tag
  cpu       = 1024
  memory    = 2048
  port      = 3000

  environment = merge({
    NODE_ENV = "production"
    PORT     = "3000"
  }, var.extra_environment)

  secrets = {
    SESSION_SECRET = "${var.session_secret_arn}:SESSION_SECRET::"
  }

  execution_role_arn = data.talentbase_platform.this.role_arns[var.execution_role]
  task_role_arn      = data.talentbase_platform.this.role_arns[var.web_task_role]

  health_check {
    command      = ["CMD-SHELL", "wget --no-verbose --tries=1 --spider http://localhost:3000/ || exit 1"]
    interval     = 30
    timeout      = 10
    retries      = 3
    start_period = 180
  }

  network {
    subnets          = data.talentbase_platform.this.private_subnet_ids
    security_groups  = [data.talentbase_platform.this.security_group_ids[var.service_security_group]]
    assign_public_ip = false
  }

  load_balancer {
    listener_arn  = data.talentbase_platform.this.listener_arn
    priority      = 100
    host_headers  = [var.domain]
    path_patterns = ["/*"]

    health_check {
      path    = "/"
      matcher = "200-399"
    }

    stickiness_duration  = 86400
    deregistration_delay = 30
  }

  deployment {
    minimum_healthy_percent   = 100
    maximum_percent           = 200
    rollback                  = true
    health_check_grace_period = 180
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

    schedule {
      name         = "business-hours"
      schedule     = "cron(0 8 ? * MON-FRI *)"
      timezone     = "America/Sao_Paulo"
      min_capacity = 2
      max_capacity = 10
    }

    schedule {
      name         = "after-hours"
      schedule     = "cron(0 18 ? * MON-FRI *)"
      timezone     = "America/Sao_Paulo"
      min_capacity = 2
      max_capacity = 4
    }
  }

  logs {
    retention_days = 30
  }

  enable_execute_command = true

  tags = {
    Service = "web"
  }
}

resource "talentbase_service" "api" {
  name    = "talentbase-api-${var.environment}"
  cluster = data.talentbase_platform.this.cluster
  role    = "api"

  image     = "${local.image_repository}/api"
  image_tag = var.image_tag
  cpu       = 512
  memory    = 1024
  port      = 8000

  environment = {
    APP_ENV = var.environment
  }

  secrets = {
    DATABASE_URL = "${var.database_url_secret_arn}:url::"
  }

  execution_role_arn = data.talentbase_platform.this.role_arns[var.execution_role]
  task_role_arn      = data.talentbase_platform.this.role_arns[var.api_task_role]

  health_check {
    command      = ["CMD-SHELL", "wget --no-verbose --tries=1 --spider http://localhost:8000/health/ || exit 1"]
    start_period = 120
  }

  network {
    subnets         = data.talentbase_platform.this.private_subnet_ids
    security_groups = [data.talentbase_platform.this.security_group_ids[var.service_security_group]]
  }

  load_balancer {
    listener_arn  = data.talentbase_platform.this.listener_arn
    priority      = 200
    host_headers  = [var.domain]
    path_patterns = ["/api/*"]

    health_check {
      path = "/health/"
    }
  }

  autoscaling {
    min_capacity = 2
    max_capacity = 6
  }

  tags = {
    Service = "api"
  }
}
