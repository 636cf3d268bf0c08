/* tb-gen-rules-doc: writes docs/guides/rules.md (the rule tables as Markdown) to stdout. */
#include <stdio.h>

#include "tb/rules.h"

int main(void)
{
	return tb_rules_write_markdown(stdout) == 0 ? 0 : 1;
}
