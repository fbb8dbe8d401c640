import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group/index.js';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group/index.js';
import { Eip } from '@cdktf/provider-aws/lib/eip/index.js';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log/index.js';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role/index.js';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy/index.js';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway/index.js';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway/index.js';
import { Route } from '@cdktf/provider-aws/lib/route/index.js';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table/index.js';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association/index.js';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group/index.js';
import { Subnet } from '@cdktf/provider-aws/lib/subnet/index.js';
import { Vpc } from '@cdktf/provider-aws/lib/vpc/index.js';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint/index.js';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule/index.js';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule/index.js';
import { Construct } from 'constructs';
import { type EnvironmentConfig, nameFor } from '../config.js';
import { policyDocument } from '../policy.js';

export interface NetworkProps {
  readonly config: EnvironmentConfig;
  readonly accountId: string;
  readonly kmsKeyArn: string;
  /** String-built name of the flow-log group (the key policy names it before the group exists). */
  readonly flowLogGroupName: string;
}

/**
 * AWS APIs the Lambda's code calls from its private subnets, each with its reason; S3 goes through the
 * gateway endpoint (free). Not here, because nothing in the VPC calls them (≈ $22/month each saved):
 * SQS (the event source mapping polls the queue from Lambda's service, outside the VPC), CloudWatch
 * Logs (Lambda ships stdout itself), STS (the SDK takes the role's credentials from the environment).
 */
export const INTERFACE_ENDPOINTS = {
  'redshift-data':
    'Redshift driver: ExecuteStatement/BatchExecuteStatement, DescribeStatement, GetStatementResult, CancelStatement',
  sns: 'SNS notifier: Publish of load events (LAKELOAD_SNS_TOPIC_ARN)',
} as const;
export const INTERFACE_ENDPOINT_SERVICES = Object.keys(
  INTERFACE_ENDPOINTS,
) as (keyof typeof INTERFACE_ENDPOINTS)[];

const HTTPS = 443;

/**
 * The VPC: three private subnets (one per zone), an S3 gateway endpoint, the interface endpoints,
 * and three security groups — Lambda (egress to endpoints and S3 only), endpoints (ingress from the
 * Lambda only), Redshift (egress to S3 only, for enhanced VPC routing). Optionally a NAT gateway.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly privateSubnets: Subnet[];
  readonly lambdaSecurityGroup: SecurityGroup;
  readonly warehouseSecurityGroup: SecurityGroup;
  readonly endpointSecurityGroup: SecurityGroup;
  readonly s3Endpoint: VpcEndpoint;

  readonly flowLog: FlowLog;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { config } = props;
    const name = (suffix: string) => nameFor(config, suffix);

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: config.network.vpcCidr,
      // Private DNS of interface endpoints needs both.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: name('vpc') },
    });

    // Security Hub EC2.2 / CIS 5.4 / Checkov CKV2_AWS_12: the VPC's default security group allows
    // nothing. Adopting it with no rule blocks removes AWS's default allow-all rules.
    new DefaultSecurityGroup(this, 'default-sg', {
      vpcId: this.vpc.id,
      tags: { Name: name('default-deny') },
    });
    this.flowLog = this.addFlowLog(props);

    const privateRoutes = new RouteTable(this, 'private-routes', {
      vpcId: this.vpc.id,
      tags: { Name: name('private') },
    });
    this.privateSubnets = config.availabilityZones.map((zone, index) => {
      const subnet = new Subnet(this, `private-${index}`, {
        vpcId: this.vpc.id,
        availabilityZone: zone,
        cidrBlock: config.network.privateSubnetCidrs[index] ?? '',
        mapPublicIpOnLaunch: false,
        tags: { Name: name(`private-${zone}`), tier: 'private' },
      });
      new RouteTableAssociation(this, `private-${index}-routes`, {
        subnetId: subnet.id,
        routeTableId: privateRoutes.id,
      });
      return subnet;
    });

    this.s3Endpoint = new VpcEndpoint(this, 's3-endpoint', {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${config.region}.s3`,
      vpcEndpointType: 'Gateway',
      routeTableIds: [privateRoutes.id],
      tags: { Name: name('s3') },
    });

    // Security groups start with no rules: Terraform removes AWS's default allow-all egress.
    this.lambdaSecurityGroup = new SecurityGroup(this, 'lambda-sg', {
      name: name('lambda'),
      description: 'lakeload loader Lambda: HTTPS out to the VPC endpoints and S3 only',
      vpcId: this.vpc.id,
      tags: { Name: name('lambda') },
    });
    this.endpointSecurityGroup = new SecurityGroup(this, 'endpoints-sg', {
      name: name('endpoints'),
      description: 'Interface endpoints: HTTPS in from the loader Lambda only',
      vpcId: this.vpc.id,
      tags: { Name: name('endpoints') },
    });
    this.warehouseSecurityGroup = new SecurityGroup(this, 'warehouse-sg', {
      name: name('warehouse'),
      description: 'Redshift Serverless workgroup: HTTPS out to S3 (COPY over enhanced VPC routing)',
      vpcId: this.vpc.id,
      tags: { Name: name('warehouse') },
    });

    new VpcSecurityGroupEgressRule(this, 'lambda-to-endpoints', {
      securityGroupId: this.lambdaSecurityGroup.id,
      description: 'HTTPS to the interface endpoints',
      ipProtocol: 'tcp',
      fromPort: HTTPS,
      toPort: HTTPS,
      referencedSecurityGroupId: this.endpointSecurityGroup.id,
    });
    new VpcSecurityGroupEgressRule(this, 'lambda-to-s3', {
      securityGroupId: this.lambdaSecurityGroup.id,
      description: 'HTTPS to S3 through the gateway endpoint',
      ipProtocol: 'tcp',
      fromPort: HTTPS,
      toPort: HTTPS,
      prefixListId: this.s3Endpoint.prefixListId,
    });
    new VpcSecurityGroupIngressRule(this, 'endpoints-from-lambda', {
      securityGroupId: this.endpointSecurityGroup.id,
      description: 'HTTPS from the loader Lambda',
      ipProtocol: 'tcp',
      fromPort: HTTPS,
      toPort: HTTPS,
      referencedSecurityGroupId: this.lambdaSecurityGroup.id,
    });
    new VpcSecurityGroupEgressRule(this, 'warehouse-to-s3', {
      securityGroupId: this.warehouseSecurityGroup.id,
      description: 'HTTPS to S3 through the gateway endpoint (COPY with enhanced VPC routing)',
      ipProtocol: 'tcp',
      fromPort: HTTPS,
      toPort: HTTPS,
      prefixListId: this.s3Endpoint.prefixListId,
    });

    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      new VpcEndpoint(this, `${service}-endpoint`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${config.region}.${service}`,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: this.privateSubnets.map((subnet) => subnet.id),
        securityGroupIds: [this.endpointSecurityGroup.id],
        tags: { Name: name(service) },
      });
    }

    if (config.network.natGateway.enabled) {
      this.addNatGateway(config, config.network.natGateway.publicSubnetCidr, privateRoutes);
    }
  }

  /**
   * Security Hub EC2.6 / CIS 3.7 / Checkov CKV2_AWS_11: flow logs of all traffic into a KMS-encrypted
   * log group, written by a role only the VPC Flow Logs service of this account may assume
   * (docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
   */
  private addFlowLog(props: NetworkProps): FlowLog {
    const { config, accountId } = props;
    const group = new CloudwatchLogGroup(this, 'flow-log-group', {
      name: props.flowLogGroupName,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: props.kmsKeyArn,
    });
    const trust = policyDocument(this, 'flow-log-trust', [
      {
        sid: 'AssumeRoleByFlowLogs',
        actions: ['sts:AssumeRole'],
        resources: [],
        principals: [{ type: 'Service', identifiers: ['vpc-flow-logs.amazonaws.com'] }],
        // Confused-deputy guard documented for VPC Flow Logs.
        conditions: [
          { test: 'StringEquals', variable: 'aws:SourceAccount', values: [accountId] },
          {
            test: 'ArnLike',
            variable: 'aws:SourceArn',
            values: [`arn:aws:ec2:${config.region}:${accountId}:vpc-flow-log/*`],
          },
        ],
      },
    ]);
    const role = new IamRole(this, 'flow-log-role', {
      name: nameFor(config, 'flow-logs'),
      description: 'VPC Flow Logs: write the VPC flow log group',
      assumeRolePolicy: trust.json,
    });
    const document = policyDocument(this, 'flow-log-policy-document', [
      {
        sid: 'WriteFlowLogGroup',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        resources: [group.arn, `${group.arn}:*`],
      },
    ]);
    new IamRolePolicy(this, 'flow-log-policy', { name: 'flow-logs', role: role.id, policy: document.json });
    return new FlowLog(this, 'flow-log', {
      vpcId: this.vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: group.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: 600,
      tags: { Name: nameFor(config, 'flow-log') },
    });
  }

  /** One NAT gateway in a public subnet of the first zone; the Lambda may then reach HTTPS anywhere. */
  private addNatGateway(
    config: EnvironmentConfig,
    publicSubnetCidr: string,
    privateRoutes: RouteTable,
  ): void {
    const name = (suffix: string) => nameFor(config, suffix);
    const gateway = new InternetGateway(this, 'igw', { vpcId: this.vpc.id, tags: { Name: name('igw') } });
    const publicSubnet = new Subnet(this, 'public-0', {
      vpcId: this.vpc.id,
      availabilityZone: config.availabilityZones[0],
      cidrBlock: publicSubnetCidr,
      mapPublicIpOnLaunch: false,
      tags: { Name: name(`public-${config.availabilityZones[0]}`), tier: 'public' },
    });
    const publicRoutes = new RouteTable(this, 'public-routes', {
      vpcId: this.vpc.id,
      tags: { Name: name('public') },
    });
    new Route(this, 'public-default', {
      routeTableId: publicRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      gatewayId: gateway.id,
    });
    new RouteTableAssociation(this, 'public-0-routes', {
      subnetId: publicSubnet.id,
      routeTableId: publicRoutes.id,
    });
    const address = new Eip(this, 'nat-ip', { domain: 'vpc', tags: { Name: name('nat') } });
    const nat = new NatGateway(this, 'nat', {
      allocationId: address.id,
      subnetId: publicSubnet.id,
      tags: { Name: name('nat') },
      dependsOn: [gateway],
    });
    new Route(this, 'private-default', {
      routeTableId: privateRoutes.id,
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: nat.id,
    });
    new VpcSecurityGroupEgressRule(this, 'lambda-to-internet', {
      securityGroupId: this.lambdaSecurityGroup.id,
      description: 'HTTPS to the internet through the NAT gateway (natGateway.enabled)',
      ipProtocol: 'tcp',
      fromPort: HTTPS,
      toPort: HTTPS,
      cidrIpv4: '0.0.0.0/0',
    });
  }
}
