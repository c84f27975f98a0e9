using KeyRotation.Core;
using KeyRotation.Core.Protocol;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary><c>keyrotation unlock</c>: the way out after a move ran out of takeovers, and a no-op otherwise.</summary>
public sealed class UnlockCommandTests
{
    private const string Alias = "alias/orders";

    [Fact]
    public async Task Unlock_AfterEveryTakeoverFailed_RemovesTheTakeoversAndTheNextRunRotates()
    {
        var cli = new CliHarness();
        await cli.CreateAliasAsync(Alias);
        var engine = RotationComposition.Engine(cli.Kms, new NoNotifier(), new RotationOptions { MinKeyAge = TimeSpan.Zero }, cli.Time, NullRotationLog.Instance, keyFinder: LocalTagging.Finder(cli.Service, cli.Time));
        var request = new RotationRequest { RotationId = "rot", Aliases = [Alias] };
        cli.Service.Faults.FailEvery("CreateKey", "TagException", "The tag value is not valid.");
        for (var run = 0; run <= ClaimSteps.MaxTakeovers; run++)
        {
            Assert.Equal(RotationOutcome.Failed, (await engine.RunAsync(request, CancellationToken.None)).Results[0].Outcome);
        }

        var stuck = (await engine.RunAsync(request, CancellationToken.None)).Results[0];
        Assert.Contains($"taken over {ClaimSteps.MaxTakeovers} times", stuck.Reason, StringComparison.Ordinal);
        Assert.Contains("TagException: The tag value is not valid.", stuck.Reason, StringComparison.Ordinal);
        Assert.Contains("keyrotation unlock alias/orders --yes", stuck.Reason, StringComparison.Ordinal);
        cli.Service.Faults.Clear();

        var unlock = await cli.RunAsync("unlock", Alias, "--yes", "--output", "json");

        Assert.Equal(0, unlock.ExitCode);
        Assert.Equal(ClaimSteps.MaxTakeovers, unlock.Json().GetProperty("deletedAliases").GetArrayLength());
        var result = (await engine.RunAsync(request, CancellationToken.None)).Results[0];
        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
    }

    [Fact]
    public async Task Unlock_NothingInProgress_ExitsOneAndChangesNothing()
    {
        var cli = new CliHarness();
        await cli.CreateAliasAsync(Alias);
        var before = cli.StateFingerprint();

        var run = await cli.RunAsync("unlock", Alias, "--yes");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("nothing to unlock", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(before, cli.StateFingerprint());
    }

    private sealed class NoNotifier : IRotationNotifier
    {
        public Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
