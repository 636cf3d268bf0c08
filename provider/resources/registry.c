/*
 * The provider's resource types: one row per resource, sorted by name.
 * Adding a resource is one file and one row here.
 */
#include <string.h>

#include "tb/provider.h"

const struct tb_resource *const tb_resources[] = {
    &tb_resource_database_proxy,
    &tb_resource_service,
    NULL,
};

/* Returns the resource type called name, or NULL. */
const struct tb_resource *tb_resource_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; tb_resources[i] != NULL; i++) {
		if (strcmp(tb_resources[i]->name, name) == 0)
			return tb_resources[i];
	}
	return NULL;
}
