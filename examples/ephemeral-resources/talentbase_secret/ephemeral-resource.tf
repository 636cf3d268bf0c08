terraform {
  required_version = ">= 1.10" # OpenTofu >= 1.11
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

# The database password, for this run only: never in state or plan.
ephemeral "talentbase_secret" "db" {
  name     = "fckdoomscroll/database"
  json_key = "password"
}

# Passed on to a write-only argument, e.g. a reporting copy of it.
resource "talentbase_secret" "reporting" {
  name             = "fckdoomscroll/reporting/database-password"
  value_wo         = ephemeral.talentbase_secret.db.value
  value_wo_version = 1

  acknowledge = { TB104 = "a copy: rotated with its source" }
}
