using KeyRotation.Core.Consumers;

namespace KeyRotation.Function.Tests.Docs;

/// <summary>docs/consumers.md and the code stay in step: the operator's IAM actions per consumer type, and the pacing rates.</summary>
public sealed class ConsumersPageTests
{
    private static readonly MarkdownPage Page = MarkdownPage.Load("docs/consumers.md");

    [Fact]
    public void IamSection_ListsExactlyEachConsumersActions()
    {
        var section = Page.Section("### IAM actions for the operator");
        var rows = section.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).ToList();

        Assert.Equal(ConsumerPermissions.All.Select(c => c.Consumer), rows.Select(r => r.Split('|')[1].Trim()));
        foreach (var consumer in ConsumerPermissions.All)
        {
            var cells = rows.Single(r => r.Split('|')[1].Trim() == consumer.Consumer).Split('|');
            Assert.Equal(consumer.Inventory.Order(StringComparer.Ordinal), Actions(cells[2]).Order(StringComparer.Ordinal));
            Assert.Equal(consumer.Migration.Order(StringComparer.Ordinal), Actions(cells[3]).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void PacingSection_NamesEveryPacedOperationWithItsRate()
    {
        var rows = Page.Section("### Pacing").Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).Select(r => r.Split('|')).ToList();
        var documented = rows.SelectMany(cells => Actions(cells[2]).Select(op => ($"{cells[1].Trim().ToLowerInvariant()}:{op}", double.Parse(cells[3].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)))).ToList();

        Assert.Equal(
            ConsumerRequestRates.Defaults.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key}={r.Value}"),
            documented.OrderBy(d => d.Item1, StringComparer.Ordinal).Select(d => $"{d.Item1}={d.Item2}"));
    }

    /// <summary>The `code` spans of a cell, in order.</summary>
    private static List<string> Actions(string cell) => [.. cell.Split('`').Where((_, i) => i % 2 == 1)];
}
