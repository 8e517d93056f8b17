"""manage.py export_schema: write the OpenAPI document of every procedure (YAML or JSON)."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from drf_spectacular.renderers import OpenApiYamlRenderer

from api.openapi import ProcedureSchemaGenerator


class Command(BaseCommand):
    help = "Write the OpenAPI 3 document of the procedures to a file, or to stdout."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", help="Where to write it (default: stdout).")
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")

    def handle(self, *args: Any, file: str | None, format: str, **options: Any) -> None:
        schema = ProcedureSchemaGenerator().get_schema(request=None, public=True)
        if format == "json":
            text = json.dumps(schema, indent=2) + "\n"
        else:
            text = OpenApiYamlRenderer().render(schema, renderer_context={}).decode()
        if file:
            Path(file).write_text(text)
            self.stdout.write(f"Wrote the OpenAPI document to {file}.")
        else:
            self.stdout.write(text, ending="")
