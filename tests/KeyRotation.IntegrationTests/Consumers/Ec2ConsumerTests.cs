using KeyRotation.LocalConsumers;

namespace KeyRotation.IntegrationTests.Consumers;

/// <summary>EBS volumes and snapshots through <c>consumers</c> and <c>migrate</c>, against the local EC2 Query endpoint.</summary>
public sealed class Ec2ConsumerTests
{
    [Fact]
    public async Task Consumers_EncryptedVolumesAndOwnSnapshots_AreListedWithTheExactDescribeRequests()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ec2.AddVolume(new EbsVolume("vol-0a1", harness.Generations[0], InstanceId: "i-0b2", Device: "/dev/xvda"));
        harness.Ec2.AddVolume(new EbsVolume("vol-0plain", null));
        harness.Ec2.AddSnapshot(new EbsSnapshot("snap-0c3", harness.Generations[1]));

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var volumes = Assert.Single(harness.Ec2.Of("DescribeVolumes")).Form;
        Assert.Equal(
            new Dictionary<string, string> { ["Action"] = "DescribeVolumes", ["Version"] = "2016-11-15", ["Filter.1.Name"] = "encrypted", ["Filter.1.Value.1"] = "true", ["MaxResults"] = "500" },
            volumes);
        var snapshots = Assert.Single(harness.Ec2.Of("DescribeSnapshots")).Form;
        Assert.Equal(
            new Dictionary<string, string> { ["Action"] = "DescribeSnapshots", ["Version"] = "2016-11-15", ["Filter.1.Name"] = "encrypted", ["Filter.1.Value.1"] = "true", ["MaxResults"] = "1000", ["Owner.1"] = "self" },
            snapshots);
        var generations = run.Json().GetProperty("generations");
        Assert.Equal("snap-0c3", generations[1].GetProperty("resources")[0].GetProperty("id").GetString());
        Assert.Equal("vol-0a1", generations[2].GetProperty("resources")[0].GetProperty("id").GetString());
        Assert.Equal("ec2", generations[2].GetProperty("resources")[0].GetProperty("service").GetString());
    }

    [Fact]
    public async Task Consumers_DescribeVolumes_PagesWithNextToken()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ec2.PageSize = 2;
        for (var i = 0; i < 5; i++)
        {
            harness.Ec2.AddVolume(new EbsVolume($"vol-{i}", harness.Generations[0]));
        }

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal([null, "2", "4"], harness.Ec2.Of("DescribeVolumes").Select(r => r.Form.GetValueOrDefault("NextToken")));
        Assert.Equal(5, run.Json().GetProperty("generations")[2].GetProperty("resources").GetArrayLength());
    }

    [Fact]
    public async Task Consumers_DescribeSnapshotsDenied_IsOneNotCheckedRowAndTheOtherServicesAreStillListed()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ec2.Denied.Add("DescribeSnapshots");
        harness.Ec2.AddVolume(new EbsVolume("vol-0a1", harness.Generations[0]));
        harness.DynamoDb.AddTable("orders", harness.Generations[0]);

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--output", "json");

        Assert.Equal(1, run.ExitCode);
        var notChecked = Assert.Single(run.Json().GetProperty("notChecked").EnumerateArray());
        Assert.Equal("EBS snapshots", notChecked.GetProperty("service").GetString());
        Assert.StartsWith("EBS snapshots could not be listed (UnauthorizedOperation: You are not authorized", notChecked.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, run.Json().GetProperty("generations")[2].GetProperty("resources").GetArrayLength());
    }

    [Fact]
    public async Task Migrate_AVolumeAndASnapshot_GetTheirRunbookStepsUnderTheCurrentKeyAndNothingIsChanged()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ec2.AddVolume(new EbsVolume("vol-0a1", harness.Generations[0], AvailabilityZone: "us-east-1b", InstanceId: "i-0b2", Device: "/dev/xvdf"));
        harness.Ec2.AddSnapshot(new EbsSnapshot("snap-0c3", harness.Generations[0]));

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.All(harness.Ec2.Operations, o => Assert.StartsWith("Describe", o, StringComparison.Ordinal));
        Assert.Equal("vol-0a1", harness.Ec2.Of("DescribeVolumes")[^1].Form["VolumeId.1"]);
        var results = run.Json().GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.All(results.Values, r => Assert.Equal("Manual", r.GetProperty("outcome").GetString()));
        var volume = results["vol-0a1"].GetProperty("runbook").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.Contains(volume, s => s.Contains($"copy-snapshot --region us-east-1 --source-region us-east-1 --source-snapshot-id SNAP --encrypted --kms-key-id {harness.Current}", StringComparison.Ordinal));
        Assert.Contains(volume, s => s.Contains("create-volume --region us-east-1 --availability-zone us-east-1b --snapshot-id COPY --volume-type gp3 --iops 3000 --throughput 125", StringComparison.Ordinal));
        Assert.Contains(volume, s => s.Contains("attach-volume --region us-east-1 --volume-id NEW --instance-id i-0b2 --device /dev/xvdf", StringComparison.Ordinal));
        var snapshot = results["snap-0c3"].GetProperty("runbook").EnumerateArray().Select(s => s.GetString()!).ToList();
        Assert.StartsWith($"1. aws ec2 copy-snapshot --region us-east-1 --source-region us-east-1 --source-snapshot-id snap-0c3 --encrypted --kms-key-id {harness.Current}", snapshot[0], StringComparison.Ordinal);
        Assert.Equal(2, run.Json().GetProperty("summary").GetProperty("manual").GetInt32());
    }

    [Fact]
    public async Task Migrate_TableOutput_PrintsEachRunbookAfterTheTableAndTheSummary()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ec2.AddSnapshot(new EbsSnapshot("snap-0c3", harness.Generations[0]));
        harness.DynamoDb.AddTable("orders", harness.Generations[1]);

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--yes");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Contains("Runbook for ec2 snapshot snap-0c3:", lines);
        Assert.Contains(lines, l => l.StartsWith("  1. aws ec2 copy-snapshot ", StringComparison.Ordinal));
        Assert.Equal("moved 1, manual (runbook) 1.", lines.Last(l => l.Length > 0));
    }

    [Fact]
    public async Task Migrate_TableOutput_ARunbookStepLongerThanTheConsoleWidth_StaysOneLineBetweenTheTableAndTheSummary()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ec2.AddVolume(new EbsVolume("vol-0123456789abcdef0", harness.Generations[0], AvailabilityZone: "us-east-1b", InstanceId: "i-0123456789abcdef0", Device: "/dev/xvdf"));

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--yes");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n').Select(l => l.TrimEnd()).ToList();
        var swap = Assert.Single(lines, l => l.StartsWith("  5. swap on i-0123456789abcdef0: ", StringComparison.Ordinal));
        Assert.True(swap.Length > 400, $"the step is {swap.Length} characters, shorter than the redirected console's width");
        Assert.EndsWith("aws ec2 start-instances --region us-east-1 --instance-ids i-0123456789abcdef0", swap, StringComparison.Ordinal);
        var header = lines.IndexOf("Runbook for ec2 volume vol-0123456789abcdef0:");
        Assert.True(header > lines.FindIndex(l => l.StartsWith("ec2 ", StringComparison.Ordinal)) && header < lines.IndexOf("manual (runbook) 1."), string.Join('\n', lines));
    }
}
