terraform {
  required_version = ">= 1.6"
  required_providers {
    talentbase = {
      source  = "registry.talentbase.internal/platform/talentbase"
      version = "~> 0.1"
    }
  }
}

provider "talentbase" {
  region      = var.region
  environment = var.environment
  preflight   = var.preflight

  default_tags = {
    Project   = "TalentBase"
    ManagedBy = "Terraform"
  }
}
