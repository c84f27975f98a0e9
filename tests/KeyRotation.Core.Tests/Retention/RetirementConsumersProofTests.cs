using KeyRotation.Core.Consumers;
using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Tests.Retention;

/// <summary>
/// What the consumer inventory's evidence does to a proof of non-use: a resource on the key keeps it (named, the first
/// three, then how many more), a resource not checked leaves it untouched whatever the last use says, a reference by
/// the alias pins nothing, and a clear inventory lets the step go on with its count in the tag.
/// </summary>
public sealed class RetirementConsumersProofTests
{
    private const string Old = "1234abcd-0000-0000-0000-000000000001";
    private const string Current = "1234abcd-0000-0000-0000-000000000002";
    private const string Prefix = "arn:aws:kms:eu-west-1:111122223333:";
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 4, 0, 0, TimeSpan.Zero);

    private static readonly AliasGenerations Generations = new(
        "alias/app-data",
        Prefix + "alias/app-data",
        new ConsumerGeneration(2, Current, Prefix + "key/" + Current, GenerationRole.Current),
        [new ConsumerGeneration(2, Current, Prefix + "key/" + Current, GenerationRole.Current), new ConsumerGeneration(1, Old, Prefix + "key/" + Old, GenerationRole.Earlier)]);

    private static RetirementProof Proof(KeyUseFinding finding = KeyUseFinding.NeverUsed) => new()
    {
        Verdict = finding == KeyUseFinding.Unreadable ? RetirementVerdict.Unreadable : RetirementVerdict.Proven,
        ReadAt = Now,
        WindowDays = 30,
        Keys = [new KeyUseEvidence { KeyId = Old, Finding = finding, Description = finding == KeyUseFinding.Unreadable ? "AccessDeniedException: denied" : "key never used", ProvenUnusedDays = finding == KeyUseFinding.Unreadable ? null : 90 }],
    };

    private static ConsumerReport Report(IReadOnlyList<ConsumerResource> resources, IReadOnlyList<ConsumerFinding.NotChecked>? notChecked = null)
    {
        var matcher = new KeyReferenceMatcher(Generations);
        return new ConsumerReport(Generations, [.. resources.Select(r => new ConsumerUse(r, matcher.Match(r.KeyReference)!))], notChecked ?? [], resources.Count);
    }

    [Fact]
    public void WithConsumers_FourResourcesOnTheKey_KeepsItNamingTheFirstThree()
    {
        var report = Report(
        [
            new("dynamodb", "table", "arn:aws:dynamodb:eu-west-1:111122223333:table/orders", Prefix + "key/" + Old),
            new("ssm", "parameter", "/app/db-password", Old),
            new("ec2", "volume", "vol-0a1b", Prefix + "key/" + Old),
            new("s3", "bucket", "arn:aws:s3:::logs", Old),
        ]);

        var proof = Proof().WithConsumers(RetirementConsumers.For(report, Old));

        Assert.Equal(RetirementVerdict.NotProven, proof.Verdict);
        Assert.Equal("referenced by 4 consumer(s): dynamodb table orders, ssm parameter /app/db-password, ec2 volume vol-0a1b and 1 more: kept as it is", proof.Describe());
    }

    [Fact]
    public void WithConsumers_OnlyTheAliasNamed_PinsNoGenerationAndTheStepGoesOn()
    {
        var report = Report([new("ssm", "parameter", "/app/api-key", "alias/app-data"), new("s3", "bucket", "arn:aws:s3:::logs", Prefix + "alias/app-data")]);

        var proof = Proof().WithConsumers(RetirementConsumers.For(report, Current));

        Assert.Equal(RetirementVerdict.Proven, proof.Verdict);
        Assert.EndsWith("; no consumer references it by key id or ARN (2 KMS-encrypted resource(s) checked)", proof.Describe(), StringComparison.Ordinal);
        Assert.Equal("2026-12-07T04:00:00Z unused 90d of 30d - consumers none of 2: key never used", proof.TagText());
    }

    [Fact]
    public void WithConsumers_AResourceNotChecked_LeavesTheKeyUntouchedNamingItAndWhy()
    {
        var notChecked = new ConsumerFinding.NotChecked(new ConsumerResource("dynamodb", "table", "orders", null), "AccessDeniedException: not authorized");

        var proof = Proof().WithConsumers(RetirementConsumers.For(Report([], [notChecked]), Old));

        Assert.Equal(RetirementVerdict.Unreadable, proof.Verdict);
        Assert.Equal("the consumer inventory could not check 1 resource(s), which may reference it: dynamodb table orders (AccessDeniedException: not authorized); retention never assumes a key is unused, so it was not touched", proof.Describe());
    }

    [Fact]
    public void WithConsumers_AListingThatFailed_IsNamedAsTheListing()
    {
        var listing = new ConsumerFinding.NotChecked(new ConsumerResource("SSM SecureString parameters", "listing", "*", null), "SSM SecureString parameters could not be listed (AccessDeniedException: no)");

        var proof = Proof().WithConsumers(RetirementConsumers.For(Report([], [listing]), Old));

        Assert.Contains("which may reference it: the SSM SecureString parameters listing (", proof.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void WithConsumers_LastUseUnreadableAndInventoryClear_StaysUnreadableForTheLastUse()
    {
        var proof = Proof(KeyUseFinding.Unreadable).WithConsumers(RetirementConsumers.For(Report([]), Old));

        Assert.Equal(RetirementVerdict.Unreadable, proof.Verdict);
        Assert.StartsWith("the last use of the key could not be read (AccessDeniedException: denied)", proof.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void For_AKeyTheScansGenerationsDoNotHold_IsNotCheckedSoTheStepIsNotTaken()
    {
        // Retention planned on a chain the scan did not read this key in: no reference was matched against it.
        const string Elsewhere = "1234abcd-0000-0000-0000-000000000009";

        var consumers = RetirementConsumers.For(Report([]), Elsewhere);
        var proof = Proof().WithConsumers(consumers);

        Assert.False(consumers.Clear);
        Assert.Equal(RetirementVerdict.Unreadable, proof.Verdict);
        Assert.Contains($"{Elsewhere} is not among the generations of alias/app-data the inventory matched references against", proof.Describe(), StringComparison.Ordinal);
    }
}
