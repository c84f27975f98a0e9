using KeyRotation.Core.Consumers;
using static KeyRotation.Core.Tests.Consumers.ConsumerTestData;

namespace KeyRotation.Core.Tests.Consumers;

public sealed class KeyReferenceMatcherTests
{
    private static readonly KeyReferenceMatcher Matcher = new(Generations, new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["alias/legacy"] = "key-2",
        ["alias/elsewhere"] = "key-9",
    });

    [Theory]
    [InlineData("key-2", "key-2", ReferenceKind.KeyId)]
    [InlineData(Prefix + "key/key-2", "key-2", ReferenceKind.KeyArn)]
    [InlineData(Prefix + "key/key-1", "key-1", ReferenceKind.KeyArn)]
    [InlineData(Prefix + "key/key-4", "key-4", ReferenceKind.KeyArn)]
    [InlineData("alias/app-data", "key-3", ReferenceKind.Alias)]
    [InlineData(Prefix + "alias/app-data", "key-3", ReferenceKind.AliasArn)]
    [InlineData("alias/legacy", "key-2", ReferenceKind.OtherAlias)]
    [InlineData(Prefix + "alias/legacy", "key-2", ReferenceKind.OtherAlias)]
    [InlineData(" key-3 ", "key-3", ReferenceKind.KeyId)]
    public void Match_AReferenceToAGeneration_NamesItAndHow(string reference, string keyId, ReferenceKind via)
    {
        var match = Matcher.Match(reference);

        Assert.NotNull(match);
        Assert.Equal((keyId, via), (match.Generation.KeyId, match.Via));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("key-9")]
    [InlineData("alias/aws/ssm")]
    [InlineData("alias/aws/dynamodb")]
    [InlineData("alias/elsewhere")]
    [InlineData("alias/app-data-2")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/key-2")]
    [InlineData("arn:aws:kms:eu-west-1:444455556666:key/key-2")]
    [InlineData("arn:aws:kms:eu-west-1:444455556666:alias/app-data")]
    [InlineData(Prefix + "alias/aws/ebs")]
    public void Match_AReferenceToAnotherKey_IsNoMatch(string? reference)
    {
        Assert.Null(Matcher.Match(reference));
    }

    [Fact]
    public void Match_ByAliasAndDescribe_SayHowTheResourceNamesTheKey()
    {
        Assert.True(Matcher.Match("alias/app-data")!.ByAlias);
        Assert.False(Matcher.Match("alias/legacy")!.ByAlias);
        Assert.Equal("alias alias/legacy", Matcher.Match("alias/legacy")!.Describe());
        Assert.Equal("key ARN", Matcher.Match(Prefix + "key/key-3")!.Describe());
    }

    [Fact]
    public void AliasArnOf_AKeyArn_IsTheAliasInTheSameAccountAndRegion()
    {
        Assert.Equal("arn:aws-cn:kms:cn-north-1:111122223333:alias/app-data", AliasGenerations.AliasArnOf("arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-1", "alias/app-data"));
        Assert.Throws<ArgumentException>(() => AliasGenerations.AliasArnOf("not-an-arn", "alias/app-data"));
    }
}
