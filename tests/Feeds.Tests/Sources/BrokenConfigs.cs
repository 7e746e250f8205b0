namespace Feeds.Tests.Sources;

/// <summary>
/// Config files with one mistake each, and the problem line every surface must show for it (<c>check-config</c>, the
/// log and <c>/status</c> of a refused hot reload): <c>file:line:col: path: what is wrong</c>, the path in the file's
/// own spelling. <c>FILE</c> stands for the config file's path.
/// </summary>
public static class BrokenConfigs
{
    private const string Section = """{ "id": "world", "title": "World" }""";

    public static TheoryData<string, string, string> Cases => new()
    {
        {
            "unknown key typo",
            $$"""
            {
              "sections": [{{Section}}],
              "sources": [
                { "id": "wire", "url": "https://wire.example.com/rss", "sections": ["world"], "shedule": "15m" }
              ]
            }
            """,
            """FILE:4:83: sources[0].shedule: unknown key "shedule"; did you mean "schedule"?"""
        },
        {
            "bad value type",
            $$"""
            {
              "sections": [{{Section}}],
              "sources": [{ "id": "wire", "url": "https://wire.example.com/rss", "sections": ["world"] }],
              "fetching": {
                "maxBodyBytes": "lots"
              }
            }
            """,
            """FILE:5:21: fetching.maxBodyBytes: must be a whole number from 1,024 to 1,073,741,824, not a string"""
        },
        {
            "bad URL",
            $$"""
            {
              "sections": [{{Section}}],
              "sources": [
                { "id": "wire", "url": "https://wire.example.com/rss", "sections": ["world"] },
                { "id": "desk", "URL": "gopher://desk.example.com/", "sections": ["world"] }
              ]
            }
            """,
            """FILE:5:28: sources[1].URL: scheme "gopher:" is not supported"""
        },
        {
            "duplicate id",
            $$"""
            {
              "sections": [{{Section}}],
              "sources": [
                { "id": "wire", "url": "https://wire.example.com/rss", "sections": ["world"] },
                { "id": "desk", "url": "https://desk.example.com/rss", "sections": ["world"] },
                { "id": "wire", "url": "https://other.example.com/rss", "sections": ["world"] }
              ]
            }
            """,
            """FILE:6:13: sources[2].id: duplicate source id "wire", first defined at FILE:4:13 (sources[0].id)"""
        },
        {
            "invalid JSON syntax",
            $$"""
            {
              "sections": [{{Section}}],
              "sources": [
                { "id": "wire" "url": "https://wire.example.com/rss", "sections": ["world"] }
              ]
            }
            """,
            """FILE:4:20: sources[0]: not valid JSON: '"' is invalid after a value."""
        },
    };
}
