/**
 * What a new device signs when it presents a claim: proof that it holds the private key of the
 * public key it registers. Environment-neutral so the browser kiosk signs exactly what
 * fleet-provisioning.ts verifies.
 */
export function claimProofText(claimToken: string, publicKeyX: string): string {
  return `facekey-fleet-claim-v1\n${claimToken}\n${publicKeyX}`;
}
