/* Placeholder translation unit for a module folder with no sources yet. */
typedef int tb_empty_translation_unit;
