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
}

# A generated value: never in state or plan output.
resource "talentbase_secret" "session" {
  name        = "talentbase-prod/web/session-secret"
  description = "Session secret for the web application"

  generate {
    json_key            = "SESSION_SECRET" # {"SESSION_SECRET": "<64 characters>"}
    length              = 64
    exclude_punctuation = true
    version             = 1 # bump to generate and store a new value
  }

  rotation {
    lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:rotate-session-secret"
    schedule   = "rate(30 days)"
  }
}

# Database credentials: generated password, connection settings beside it.
resource "talentbase_secret" "db" {
  name = "fckdoomscroll/database"

  generate {
    json_key           = "password"
    length             = 32
    exclude_characters = "\"@/\\ "
  }
  template = {
    username = "fckadmin"
    host     = "fckdoomscroll.cluster-c1a2b3c4d5e6.us-east-1.rds.amazonaws.com"
    port     = "5432"
    dbname   = "fckdoomscroll"
  }

  acknowledge = { TB104 = "rotated by the database team's function (PLAT-1234)" }
}

# A value only you have: write-only (Terraform >= 1.11, OpenTofu >= 1.11).
variable "stripe_secret_key" {
  type      = string
  ephemeral = true
}

resource "talentbase_secret" "stripe" {
  name             = "mangu-publishing-app-secrets-production"
  value_wo         = jsonencode({ stripe_secret_key = var.stripe_secret_key })
  value_wo_version = 1 # bump to send the value again
  json_keys        = ["stripe_secret_key"]

  recovery_window_days = 30
  restore_if_deleted   = true

  acknowledge = { TB104 = "Stripe keys are rolled in the Stripe dashboard" }
}

output "session_refs" {
  value = talentbase_secret.session.env_refs # for talentbase_service.secrets
}

output "session_read_policy" {
  value = talentbase_secret.session.read_policy_json # for the execution role
}
