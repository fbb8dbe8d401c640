import { Eip } from '@cdktf/provider-aws/lib/eip/index.js';
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

/**
 * AWS APIs the Lambda calls from its private subnets, reached through interface endpoints
 * (S3 goes through the gateway endpoint). Redshift Data API for SQL, SNS for notifications, SQS and
 * STS for the SDK's queue and identity calls, CloudWatch Logs for log delivery from code.
 */
export const INTERFACE_ENDPOINT_SERVICES = ['redshift-data', 'sns', 'sqs', 'sts', 'logs'] as const;

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

  constructor(scope: Construct, id: string, config: EnvironmentConfig) {
    super(scope, id);
    const name = (suffix: string) => nameFor(config, suffix);

    this.vpc = new Vpc(this, 'vpc', {
      cidrBlock: config.network.vpcCidr,
      // Private DNS of interface endpoints needs both.
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: name('vpc') },
    });

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
