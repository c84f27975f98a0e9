using System.Text.RegularExpressions;

namespace KeyRotation.Function.Tests.Template;

public sealed partial class TemplateIntegrityTests
{
    private static readonly HashSet<string> PseudoParameters =
    [
        "AWS::AccountId", "AWS::NotificationARNs", "AWS::NoValue", "AWS::Partition", "AWS::Region",
        "AWS::StackId", "AWS::StackName", "AWS::URLSuffix",
    ];

    private static CloudFormationTemplate Template => RotationStack.Template;

    /// <summary>
    /// Logical ids a template may name: parameters, resources, and the resources SAM generates
    /// that the SAM specification documents as referenceable (the role of a function without Role).
    /// </summary>
    private static HashSet<string> KnownNames()
    {
        var names = new HashSet<string>(Template.Parameters.Keys.Concat(Template.Resources.Keys), StringComparer.Ordinal);
        foreach (var (id, resource) in Template.Resources)
        {
            var map = CloudFormationTemplate.Map(resource);
            if ((string?)map["Type"] == "AWS::Serverless::Function" && !CloudFormationTemplate.Map(map["Properties"]).ContainsKey("Role"))
            {
                names.Add(id + "Role");
            }
        }

        return names;
    }

    private static IEnumerable<string> NamesUsed(object? tree)
    {
        foreach (var node in CloudFormationTemplate.Descendants(tree))
        {
            switch (CloudFormationTemplate.Intrinsic(node))
            {
                case ("Ref", string name):
                    yield return name;
                    break;
                case ("Fn::GetAtt", List<object?> args):
                    yield return (string)args[0]!;
                    break;
                case ("Fn::Sub", var argument):
                    var (text, variables) = argument is List<object?> list
                        ? ((string)list[0]!, CloudFormationTemplate.Map(list[1]).Keys.ToHashSet())
                        : ((string)argument!, []);
                    foreach (Match match in SubVariable().Matches(text))
                    {
                        var name = match.Groups[1].Value.Split('.')[0];
                        if (!variables.Contains(name))
                        {
                            yield return name;
                        }
                    }

                    break;
            }
        }
    }

    [Fact]
    public void RefsGetAttsAndSubs_InTemplate_NameAParameterResourceOrPseudoParameter()
    {
        var known = KnownNames();

        var unknown = NamesUsed(Template.Root).Where(name => !known.Contains(name) && !PseudoParameters.Contains(name)).Distinct();

        Assert.Empty(unknown);
    }

    private static List<string> ConditionsUsed()
    {
        var used = new List<string>();
        foreach (var section in new[] { "Resources", "Outputs" })
        {
            used.AddRange(Template.Section(section).Values.Select(CloudFormationTemplate.Map)
                .Where(entry => entry.ContainsKey("Condition")).Select(entry => (string)entry["Condition"]!));
        }

        foreach (var node in CloudFormationTemplate.Descendants(Template.Root))
        {
            switch (CloudFormationTemplate.Intrinsic(node))
            {
                case ("Fn::If", List<object?> args):
                    used.Add((string)args[0]!);
                    break;
                case ("Condition", string name):
                    used.Add(name);
                    break;
            }
        }

        return used;
    }

    [Fact]
    public void Conditions_UsedInTemplate_AreAllDefined()
    {
        var used = ConditionsUsed();

        Assert.NotEmpty(used);
        Assert.DoesNotContain(used, name => !Template.Conditions.ContainsKey(name));
    }

    [Fact]
    public void Conditions_Defined_AreAllUsed()
    {
        var used = ConditionsUsed().ToHashSet(StringComparer.Ordinal);

        Assert.DoesNotContain(Template.Conditions.Keys, name => !used.Contains(name));
    }

    [Fact]
    public void Parameters_Declared_AreAllUsed()
    {
        var everythingButParameters = Template.Root.Where(pair => pair.Key != "Parameters").Select(pair => pair.Value).ToList();
        var used = NamesUsed(everythingButParameters).ToHashSet(StringComparer.Ordinal);

        Assert.DoesNotContain(Template.Parameters.Keys, name => !used.Contains(name));
    }

    [Fact]
    public void Parameters_Declared_EachHaveADescription()
    {
        var undescribed = Template.Parameters
            .Where(pair => string.IsNullOrWhiteSpace(CloudFormationTemplate.Map(pair.Value).GetValueOrDefault("Description") as string))
            .Select(pair => pair.Key);

        Assert.Empty(undescribed);
    }

    [Fact]
    public void Parameters_Declared_EachHaveAConstraintOrAreFreeTextOnPurpose()
    {
        // Free text on purpose: the escrow public key (PEM or base64 DER, validated by the function).
        HashSet<string> freeText = ["EscrowPublicKey"];
        string[] constraints = ["AllowedValues", "AllowedPattern", "MinValue", "MaxValue"];

        var unconstrained = Template.Parameters
            .Where(pair => !freeText.Contains(pair.Key) && !constraints.Any(CloudFormationTemplate.Map(pair.Value).ContainsKey))
            .Select(pair => pair.Key);

        Assert.Empty(unconstrained);
    }

    [Fact]
    public void AliasNames_Parameter_AcceptsAliasNamesAndRefusesOthers()
    {
        var pattern = new Regex((string)CloudFormationTemplate.Map(Template.Parameters["AliasNames"])["AllowedPattern"]!);

        Assert.Matches(pattern, "alias/app-data");
        Assert.DoesNotMatch(pattern, "app-data");
        Assert.DoesNotMatch(pattern, "alias/*");
        Assert.DoesNotMatch(pattern, "arn:aws:kms:us-east-1:111122223333:alias/app-data");
    }

    [Fact]
    public void DeadLetterQueue_InTemplate_IsEncrypted()
    {
        Assert.Equal("true", Template.Properties("DeadLetterQueue")["SqsManagedSseEnabled"]);
    }

    [Fact]
    public void Topics_InTemplate_AreAllEncrypted()
    {
        var topics = Template.Resources.Where(pair => (string?)CloudFormationTemplate.Map(pair.Value)["Type"] == "AWS::SNS::Topic").ToList();

        Assert.NotEmpty(topics);
        Assert.All(topics, pair => Assert.NotNull(Template.Properties(pair.Key).GetValueOrDefault("KmsMasterKeyId")));
        Assert.Equal("alias/aws/sns", Template.Properties("NotificationTopic")["KmsMasterKeyId"]);
    }

    [Fact]
    public void Alarms_InTemplate_CoverFunctionErrorsDeadLetterMessagesMissedRunsAndOverdueAliasesAndPublishToTheAlarmTopic()
    {
        // Alarms with actions notify; the missed-run alarm's two inputs have none (the composite alarm notifies).
        var notifying = Template.Resources.Keys
            .Where(id => ((string?)CloudFormationTemplate.Map(Template.Resources[id])["Type"])!.StartsWith("AWS::CloudWatch::", StringComparison.Ordinal))
            .Where(id => Template.Properties(id).ContainsKey("AlarmActions"))
            .ToList();

        Assert.Equal(["AliasesOverdueAlarm", "ContinuationDeadLetterQueueAlarm", "DeadLetterQueueAlarm", "FunctionErrorsAlarm", "MissedRunAlarm"], notifying.Order(StringComparer.Ordinal));
        Assert.Equal(
            ["AliasesOverdue", "ApproximateNumberOfMessagesVisible", "ApproximateNumberOfMessagesVisible", "Errors"],
            notifying.Select(Template.Properties).Where(a => a.ContainsKey("MetricName")).Select(a => (string)a["MetricName"]!).Order(StringComparer.Ordinal));
        Assert.All(notifying.Select(Template.Properties), alarm =>
        {
            if (alarm.ContainsKey("MetricName"))
            {
                Assert.Equal("1", alarm["Threshold"]);
                Assert.Equal("GreaterThanOrEqualToThreshold", alarm["ComparisonOperator"]);
            }

            Assert.Equal<object?>(new List<object?> { new Dictionary<string, object?> { ["Ref"] = "AlarmTopic" } }, alarm["AlarmActions"], new IntrinsicComparer());
        });
    }

    [Fact]
    public void EscrowBucket_InTemplate_IsVersionedPrivateEncryptedTlsOnlyAndRetained()
    {
        var bucket = CloudFormationTemplate.Map(Template.Resources["EscrowBucket"]);
        var properties = Template.Properties("EscrowBucket");
        var policy = Template.Properties("EscrowBucketPolicy");
        var deny = CloudFormationTemplate.Map(CloudFormationTemplate.List(CloudFormationTemplate.Map(policy["PolicyDocument"])["Statement"]).Single());

        Assert.Equal("Retain", bucket["DeletionPolicy"]);
        Assert.Equal("Enabled", CloudFormationTemplate.Map(properties["VersioningConfiguration"])["Status"]);
        Assert.All(CloudFormationTemplate.Map(properties["PublicAccessBlockConfiguration"]).Values, value => Assert.Equal("true", value));
        Assert.Contains("ServerSideEncryptionConfiguration", CloudFormationTemplate.Map(properties["BucketEncryption"]).Keys);
        Assert.Equal("Deny", deny["Effect"]);
        Assert.Equal("false", CloudFormationTemplate.Map(CloudFormationTemplate.Map(deny["Condition"])["Bool"])["aws:SecureTransport"]);
    }

    [Fact]
    public void Outputs_InTemplate_IncludeWhatUsersWireUpNext()
    {
        string[] expected = ["FunctionArn", "FunctionName", "FunctionRoleArn", "NotificationTopicArn", "ScheduleName", "DeadLetterQueueUrl", "EscrowBucketName"];

        Assert.Empty(expected.Except(Template.Section("Outputs").Keys));
    }

    [Fact]
    public void ScheduleName_Output_IsTheNameGivenToTheSchedule()
    {
        var output = CloudFormationTemplate.Map(Template.Section("Outputs")["ScheduleName"]);

        Assert.Equal<object?>(RotationStack.ScheduleEvent["Name"], output["Value"], new IntrinsicComparer());
    }

    [GeneratedRegex(@"\$\{(?!!)([^}]+)\}")]
    private static partial Regex SubVariable();
}
