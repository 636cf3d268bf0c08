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

variable "alerts_topic_arn" {
  description = "SNS topic the on-call rota subscribes to."
  type        = string
}

# Every argument spelled out, with its default where the comment says so.
resource "talentbase_alarm_set" "web" {
  service     = "talentbase-prod/talentbase-web-prod" # talentbase_service.web.id
  name_prefix = "talentbase-web-prod"                 # default: the service's name

  alarm_actions             = [var.alerts_topic_arn]
  ok_actions                = [var.alerts_topic_arn]
  insufficient_data_actions = []

  cpu_high {
    threshold          = 85 # percent, Average of AWS/ECS CPUUtilization
    period             = 300
    evaluation_periods = 1
    treat_missing_data = "missing"
  }

  memory_high {
    threshold          = 90
    period             = 300
    evaluation_periods = 1
    treat_missing_data = "missing"
  }

  running_tasks_low {
    threshold           = 2 # the service's minimum capacity (rule TB205)
    period              = 60
    evaluation_periods  = 5
    datapoints_to_alarm = 5
    treat_missing_data  = "breaching" # a service that stopped reporting is down
  }

  alb_5xx {
    threshold          = 10 # 5xx answers per period
    period             = 300
    evaluation_periods = 1
    treat_missing_data = "notBreaching" # no traffic, no errors
  }

  unhealthy_targets {
    threshold          = 1
    period             = 60
    evaluation_periods = 2
    treat_missing_data = "notBreaching"
  }

  latency_high {
    threshold_seconds  = 1
    extended_statistic = "p99" # default: Average
    period             = 300
    evaluation_periods = 2
    treat_missing_data = "notBreaching"
  }

  database_proxy_connections {
    proxy             = "talentbase-db"
    threshold_percent = 80 # of MaxDatabaseConnectionsAllowed
    period            = 300
  }

  tags = {
    Service = "web"
  }
}
