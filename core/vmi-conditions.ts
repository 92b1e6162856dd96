/**
 * The VMI condition types that more than one component spells: the node handler writes Paused,
 * LiveMigratable, Synchronized and AgentConnected; virt-api's pause/unpause and guest-agent
 * subresources and the VM controller read Paused and AgentConnected. One spelling here, so a writer
 * and its readers cannot drift apart. Spelled as KubeVirt spells them.
 * @see https://github.com/kubevirt/kubevirt/blob/main/staging/src/kubevirt.io/api/core/v1/types.go (VirtualMachineInstanceConditionType)
 */

/** VMI condition types shared by the handler, virt-api and the controllers (KubeVirt's VirtualMachineInstanceConditionType values). */
export const VmiCondition = {
  /** The domain is paused (by the user, an I/O error, the migration monitor); its presence is what pause/unpause check. */
  paused: 'Paused',
  /** Whether the VMI may be live-migrated; kubevirt-ts always says False (one node). */
  liveMigratable: 'LiveMigratable',
  /** False with the reason a sync of the VMI failed. */
  synchronized: 'Synchronized',
  /** True while the guest agent answers; virt-api's guest-agent subresources need it. */
  agentConnected: 'AgentConnected',
} as const;
