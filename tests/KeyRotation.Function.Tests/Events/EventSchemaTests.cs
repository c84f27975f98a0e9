using System.Text.Json.Nodes;
using KeyRotation.Core.Events;

namespace KeyRotation.Function.Tests.Events;

/// <summary>docs/events/ and events/: one schema and one sample per detail-type the code puts, each sample valid against its schema.</summary>
public sealed class EventSchemaTests
{
    public static TheoryData<string> DetailTypes => [.. LifecycleDetailTypes.All];

    private static JsonNode Sample(string detailType) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "events", $"eventbridge-{LifecycleEventSchemas.Slug(detailType)}.json")))!;

    [Fact]
    public void Schemas_AreExactlyOnePerDetailType()
    {
        var files = Directory.GetFiles(Path.Combine(MarkdownPage.RepositoryRoot, "docs", "events"), "*.schema.json").Select(Path.GetFileName);

        Assert.Equal(LifecycleDetailTypes.All.Select(t => LifecycleEventSchemas.Slug(t) + ".schema.json").Order(StringComparer.Ordinal), files.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(DetailTypes))]
    public void Schema_OfEachDetailType_IsDraft202012AndNamesItsDetailType(string detailType)
    {
        var schema = JsonNode.Parse(File.ReadAllText(LifecycleEventSchemas.SchemaPath(detailType)))!;

        Assert.Equal("https://json-schema.org/draft/2020-12/schema", (string?)schema["$schema"]);
        Assert.Equal(detailType, (string?)schema["properties"]!["detail-type"]!["const"]);
        Assert.Equal(detailType, (string?)schema["title"]);
    }

    [Theory]
    [MemberData(nameof(DetailTypes))]
    public void Sample_OfEachDetailType_MatchesItsSchema(string detailType)
    {
        var sample = Sample(detailType);

        Assert.Equal(detailType, (string?)sample["detail-type"]);
        Assert.Empty(LifecycleEventSchemas.Problems(sample));
    }

    [Theory]
    [MemberData(nameof(DetailTypes))]
    public void Sample_WithAFieldMissingOrMistyped_DoesNotMatch(string detailType)
    {
        var missing = Sample(detailType);
        missing["detail"]!.AsObject().Remove("run-id");
        var mistyped = Sample(detailType);
        mistyped["detail"]!["outcome"] = "Something else";
        var extra = Sample(detailType);
        extra["detail"]!["surprise"] = 1;

        Assert.NotEmpty(LifecycleEventSchemas.Problems(missing));
        Assert.NotEmpty(LifecycleEventSchemas.Problems(mistyped));
        Assert.NotEmpty(LifecycleEventSchemas.Problems(extra));
    }

    [Fact]
    public void Source_ReservedAwsPrefix_DoesNotMatch()
    {
        var sample = Sample(LifecycleDetailTypes.Rotated);
        sample["source"] = "aws.kms";

        Assert.NotEmpty(LifecycleEventSchemas.Problems(sample));
    }

    [Fact]
    public void EventsPage_LinksEverySchemaAndSample()
    {
        var links = MarkdownPage.Load("docs/events.md").Links.Select(l => l.Target).ToHashSet(StringComparer.Ordinal);

        Assert.All(LifecycleDetailTypes.All, t => Assert.Contains($"events/{LifecycleEventSchemas.Slug(t)}.schema.json", links));
        Assert.All(LifecycleDetailTypes.All, t => Assert.Contains($"../events/eventbridge-{LifecycleEventSchemas.Slug(t)}.json", links));
    }
}
