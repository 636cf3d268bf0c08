terraform {
  required_providers {
    talentbase = {
      source  = "registry.talentbase.internal/platform/talentbase"
      version = "~> 0.1"
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
