import { Gvk, type VirtualMachineInstance } from '../../crd-gen/index.js';
import { runController } from '../../reconcilers/runtime/controller.js';
import { createInformer } from '../../reconcilers/runtime/informer.js';
import type { Command } from '../command.js';
import { virtHandlerCommandFor } from './virt-handler.js';

const VMI_TYPE = Gvk.VirtualMachineInstance;

/** `kvt virt-handler` against a cluster: client-node's kubeconfig, an informer of this node's VMIs, the controller runtime. */
export const virtHandlerCommand: Command = virtHandlerCommandFor({
  // client-node is imported on use: it takes about a second, which every other kvt command would pay.
  connect: async (kubeconfig) => {
    const { createKubeClient, loadKubeConfig } = await import('../../store/runtime/kube-client.js');
    return createKubeClient(loadKubeConfig(kubeconfig === undefined ? {} : { kubeconfig }));
  },
  vmiInformer: (kube, nodeName) => createInformer<VirtualMachineInstance>(kube, VMI_TYPE, { fieldSelector: `status.nodeName=${nodeName}` }),
  run: (definition, log) => runController(definition, { log }),
});
