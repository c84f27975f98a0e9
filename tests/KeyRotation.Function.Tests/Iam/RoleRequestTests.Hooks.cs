namespace KeyRotation.Function.Tests.Iam;

/// <summary>The move hooks (docs/hooks.md): lambda:InvokeFunction on the configured hook ARNs only, and on nothing without hooks.</summary>
public sealed partial class RoleRequestTests
{
    private const string PreMoveHook = "arn:aws:lambda:eu-west-1:111122223333:function:orders-key-check:live";
    private const string PostMoveHook = "arn:aws:lambda:eu-west-1:111122223333:function:orders-reencrypt";

    [Fact]
    public void InvokeFunction_WithHooks_IsAllowedOnExactlyTheConfiguredArns()
    {
        var stack = new StackInstance(SamTranslation.Template, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AliasNames"] = RotationRole.AppData,
            ["PreMoveHookArn"] = PreMoveHook,
            ["PostMoveHookArn"] = PostMoveHook,
        });
        var kms = RotationRole.Kms(stack);
        bool Allows(string resource) => kms.AllowsByIam(new IamRequest(stack.RoleArn, "lambda:InvokeFunction", resource, new Dictionary<string, IReadOnlyList<string>>()));

        Assert.True(Allows(PreMoveHook));
        Assert.True(Allows(PostMoveHook));
        Assert.False(Allows("arn:aws:lambda:eu-west-1:111122223333:function:orders-key-check"));
        Assert.False(Allows("arn:aws:lambda:eu-west-1:111122223333:function:orders-key-check:other"));
        Assert.False(Allows("arn:aws:lambda:eu-west-1:111122223333:function:anything-else"));
    }

    [Fact]
    public void InvokeFunction_WithoutHooks_IsAllowedOnNothing()
    {
        var stack = RotationRole.Stack;
        var kms = RotationRole.Kms(stack);

        Assert.False(kms.AllowsByIam(new IamRequest(stack.RoleArn, "lambda:InvokeFunction", PostMoveHook, new Dictionary<string, IReadOnlyList<string>>())));
        Assert.False(kms.AllowsByIam(new IamRequest(stack.RoleArn, "lambda:InvokeFunction", "*", new Dictionary<string, IReadOnlyList<string>>())));
    }
}
