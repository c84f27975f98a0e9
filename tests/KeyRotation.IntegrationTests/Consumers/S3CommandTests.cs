using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.IntegrationTests.Consumers;

/// <summary><c>consumers</c> and <c>migrate</c> with S3: bucket default encryption always, objects with --bucket/--prefix, through AWS_ENDPOINT_URL_S3.</summary>
public sealed class S3CommandTests
{
    [Fact]
    public async Task Consumers_BucketAndObjectsOnAnEarlierGeneration_AreListedUnderIt()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.S3.AddBucket("uploads", encryption: new("aws:kms", harness.Generations[0], true));
        harness.S3.Put("uploads", Object("2026/a", harness.Generations[1]));

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--bucket", "uploads", "--prefix", "2026/", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var ids = run.Json().GetProperty("generations").EnumerateArray()
            .SelectMany(g => g.GetProperty("resources").EnumerateArray().Select(r => (g.GetProperty("keyArn").GetString(), r.GetProperty("id").GetString())))
            .ToList();
        Assert.Contains((harness.Generations[0], "arn:aws:s3:::uploads"), ids);
        Assert.Contains((harness.Generations[1], "s3://uploads/2026/a"), ids);
    }

    [Fact]
    public async Task Migrate_BucketAndObject_MovesTheBucketToTheAliasAndTheObjectToTheCurrentKey()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.S3.AddBucket("uploads", encryption: new("aws:kms", harness.Generations[0], true));
        harness.S3.Put("uploads", Object("2026/a", harness.Generations[0]));

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--bucket", "uploads", "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var aliasArn = harness.Current[..harness.Current.IndexOf(":key/", StringComparison.Ordinal)] + ":" + ConsumerHarness.Alias;
        Assert.Equal([new LocalS3EncryptionRule("aws:kms", aliasArn, true)], harness.S3.EncryptionOf("uploads"));
        Assert.Equal(harness.Current, harness.S3.Current("uploads", "2026/a")!.KmsKeyId);
        Assert.Equal(2, run.Json().GetProperty("summary").GetProperty("moved").GetInt32());
    }

    [Fact]
    public async Task Consumers_BucketThatDoesNotExist_IsOneLineNamingItAndExit2()
    {
        await using var harness = await ConsumerHarness.StartAsync();

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--bucket", "no-such-bucket");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation consumers: --bucket: bucket 'no-such-bucket' does not exist", run.Stderr.Trim().Split('\n')[^1]);
    }

    [Fact]
    public async Task Migrate_PrefixWithNoObject_IsOneLineNamingThePrefixAndExit2AndNothingIsChanged()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.S3.AddBucket("uploads", encryption: new("aws:kms", harness.Generations[0], true));
        harness.S3.Put("uploads", Object("2026/a", harness.Generations[0]));

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--bucket", "uploads", "--prefix", "2025/", "--yes");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation migrate: --prefix: bucket 'uploads' has no object under prefix '2025/'", run.Stderr.Trim().Split('\n')[^1]);
        Assert.Equal([new LocalS3EncryptionRule("aws:kms", harness.Generations[0], true)], harness.S3.EncryptionOf("uploads"));
        Assert.Equal(harness.Generations[0], harness.S3.Current("uploads", "2026/a")!.KmsKeyId);
    }

    private static LocalS3Object Object(string key, string keyArn) => new()
    {
        Key = key,
        Content = "data"u8.ToArray(),
        Sse = "aws:kms",
        KmsKeyId = keyArn,
        ChecksumAlgorithm = "CRC32",
        ChecksumValue = LocalS3Checksums.Compute("CRC32", "data"u8.ToArray()),
        ChecksumType = "FULL_OBJECT",
    };
}
