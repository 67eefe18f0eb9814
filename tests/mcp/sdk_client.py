"""Drives `sev mcp` with the official MCP Python SDK (mcp==2.3.0) for tests/mcp.rs.

Reads a JSON job on stdin: {"server": [argv...], "env": {...}, "mode": "auto" | "legacy" |
"2026-07-28", "calls": [{"tool": NAME, "arguments": {...}}]}. Lists the tools and resources,
reads every resource, makes every call (with a progress callback) and prints one JSON document:
the negotiated protocol version, the tool names, and per call the SDK-parsed result, whether
its structuredContent matches the tool's outputSchema (checked here for isError results too;
the SDK itself checks the others and raises on a mismatch) and the progress notifications seen.
"""

import asyncio
import json
import sys

import jsonschema
from mcp import Client
from mcp.client.stdio import StdioServerParameters


async def main(job):
    params = StdioServerParameters(command=job["server"][0], args=job["server"][1:], env=job.get("env"))
    out = {"calls": []}
    async with Client(params, mode=job["mode"]) as client:
        out["protocol_version"] = client.protocol_version
        if job["mode"] == "legacy":
            await client.send_ping()
            out["ping"] = True
        tools = (await client.list_tools()).tools
        out["tools"] = [t.name for t in tools]
        out["annotations"] = {t.name: t.annotations.model_dump(by_alias=True, exclude_none=True) if t.annotations else None for t in tools}
        schemas = {t.name: t.output_schema for t in tools}
        resources = (await client.list_resources()).resources
        out["resources"] = {}
        for r in resources:
            read = await client.read_resource(str(r.uri))
            out["resources"][str(r.uri)] = len(read.contents[0].text)
        for call in job["calls"]:
            progress = []

            async def on_progress(value, total, message, progress=progress):
                progress.append(message)

            result = await client.call_tool(call["tool"], call.get("arguments", {}), progress_callback=on_progress)
            jsonschema.validate(result.structured_content, schemas[call["tool"]])
            texts = [c.text for c in result.content if c.type == "text"]
            out["calls"].append({
                "tool": call["tool"],
                "is_error": result.is_error,
                "structured": result.structured_content,
                "first_text_is_the_json": json.loads(texts[0]) == result.structured_content,
                "progress": progress,
            })
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main(json.load(sys.stdin)))
