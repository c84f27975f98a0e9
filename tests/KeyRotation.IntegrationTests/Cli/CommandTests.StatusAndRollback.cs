using Amazon.KeyManagementService.Model;
using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>status and rollback end to end: the chain newest first, unfinished moves, rollbacks and their refusals.</summary>
public sealed partial class CommandTests
{
    [Fact]
    public async Task Status_AfterTwoRotations_ShowsChainNewestFirst()
    {
        var first = await _cli.CreateAliasAsync(Alias);
        var second = await _cli.RotateAsync(Alias);
        var third = await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync("status", Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var status = run.Json().GetProperty("aliases")[0];
        Assert.Equal(third, status.GetProperty("current").GetProperty("keyId").GetString());
        Assert.Equal(3, status.GetProperty("current").GetProperty("generation").GetInt64());
        var earlier = status.GetProperty("earlier").EnumerateArray().Select(k => (k.GetProperty("keyId").GetString(), k.GetProperty("state").GetString())).ToList();
        Assert.Equal([(second, "retired"), (first, "retired")], earlier);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, status.GetProperty("inProgress").ValueKind);
    }

    [Fact]
    public async Task Status_UnknownAlias_ExitsTwoWithTheErrorOnStderr()
    {
        var run = await _cli.RunAsync("status", "alias/missing", "--output", "json");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Contains("alias/missing does not exist", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ClaimedMarker_ReportsRotationInProgress()
    {
        var current = await _cli.CreateAliasAsync(Alias);
        await _cli.Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/keyrotation/orders/1", TargetKeyId = current });

        var run = await _cli.RunAsync("status", Alias, "--output", "json");

        Assert.Contains("claimed", run.Json().GetProperty("aliases")[0].GetProperty("inProgress").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_AfterTwoRotations_RestoresPreviousGeneration()
    {
        await _cli.CreateAliasAsync(Alias);
        var second = await _cli.RotateAsync(Alias);
        var third = await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync("rollback", Alias, "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("RolledBack", run.Json().GetProperty("outcome").GetString());
        Assert.Equal(second, await _cli.KeyOfAsync(Alias));
        var restored = await _cli.TagsOfAsync(second);
        Assert.Equal(("3", "active", third), (restored[RotationTags.Sequence], restored[RotationTags.State], restored["keyrotation:restored-from"]));
        var rolledBack = await _cli.TagsOfAsync(third);
        Assert.Equal(("retired", second), (rolledBack[RotationTags.State], rolledBack[RotationTags.SuccessorKey]));
        Assert.Equal("Enabled", _cli.Service.GetKeySnapshot(third)!.KeyState);
    }

    [Fact]
    public async Task Rotate_AfterRollback_ClaimsFreshMarkerAndChainsFromRestoredKey()
    {
        await _cli.CreateAliasAsync(Alias);
        var second = await _cli.RotateAsync(Alias);
        await _cli.RotateAsync(Alias);
        Assert.Equal(0, (await _cli.RunAsync("rollback", Alias, "--yes")).ExitCode);

        var fourth = await _cli.RotateAsync(Alias);

        Assert.Equal(fourth, await _cli.KeyOfAsync(Alias));
        var tags = await _cli.TagsOfAsync(fourth);
        Assert.Equal((second, "4", "active"), (tags[RotationTags.PreviousKey], tags[RotationTags.Sequence], tags[RotationTags.State]));
        Assert.Equal(second, _cli.Service.GetKeySnapshot("alias/keyrotation/orders/4")!.KeyId);
    }

    [Fact]
    public async Task Rollback_ToOriginalKey_RestoresIt()
    {
        var first = await _cli.CreateAliasAsync(Alias);
        await _cli.RotateAsync(Alias);
        await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync("rollback", Alias, "--to", first, "--yes");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(first, await _cli.KeyOfAsync(Alias));
    }

    public static TheoryData<string, string> Refusals => new()
    {
        { "not rotated", "not rotated by this tool" },
        { "not in chain", "not an earlier generation" },
        { "disabled", "is Disabled" },
        { "pending deletion", "is PendingDeletion" },
        { "in progress", "rotation is in progress" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Rollback_BadRequest_ExitsOneWithReasonAndChangesNothing(string situation, string reason)
    {
        var first = await _cli.CreateAliasAsync(Alias);
        var stranger = await _cli.CreateAliasAsync("alias/other");
        var alias = Alias;
        string? to = null;
        switch (situation)
        {
            case "not rotated":
                break;
            case "not in chain":
                await _cli.RotateAsync(Alias);
                to = stranger;
                break;
            case "disabled":
                await _cli.RotateAsync(Alias);
                _cli.Service.SetKeyState(first, "Disabled");
                break;
            case "pending deletion":
                await _cli.RotateAsync(Alias);
                _cli.Service.SetKeyState(first, "PendingDeletion");
                break;
            case "in progress":
                var current = await _cli.RotateAsync(Alias);
                await _cli.Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/keyrotation/orders/2", TargetKeyId = current });
                break;
        }

        var before = _cli.StateFingerprint();

        var run = await _cli.RunAsync(to is null ? ["rollback", alias, "--yes"] : ["rollback", alias, "--to", to, "--yes"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(reason, run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StateFingerprint());
    }
}
