/**
 * The English message sets a node starts with, approved so that every request has a message from
 * the first start: deterrence for searches, upload-blocked, child safety and help for victims,
 * each written for children (under 13), teenagers (13–17) and adults. Curators translate them
 * and write their own versions; a language without an approved version falls back to these.
 * Plain, non-graphic, non-shaming wording: it must be safe to show to a child.
 */
export const MESSAGE_AUDIENCES = ['child', 'teen', 'adult'] as const;
export type Audience = (typeof MESSAGE_AUDIENCES)[number];
export const MESSAGE_CONTEXTS = ['search', 'upload-blocked', 'child-safety', 'victim'] as const;
export type MessageContext = (typeof MESSAGE_CONTEXTS)[number];
export const FALLBACK_LANGUAGE = 'en';

export const SEED_MESSAGES: Record<MessageContext, Record<Audience, { title: string; body: string }>> = {
  search: {
    adult: {
      title: 'This search may be looking for illegal material',
      body: 'Sexual images of children are illegal, and every time they are viewed the children in them are harmed again. Searches like this are blocked here. If you are worried about your thoughts or behaviour, confidential help is available: you can talk to someone without giving your name.',
    },
    teen: {
      title: "Let's pause here",
      body: 'This search is for content that is harmful and illegal. If someone is asking you for pictures, or you have seen something that upset you, you are not in trouble: you can talk to someone who can help.',
    },
    child: {
      title: 'This is not something to look for',
      body: 'Some things online are not safe for you. If something or someone online has made you feel worried, tell an adult you trust or contact a helpline. It is free, and they will listen.',
    },
  },
  'upload-blocked': {
    adult: {
      title: 'This upload was blocked',
      body: 'The file matches material known to be illegal and cannot be shared here. Sharing sexual images of children is a crime and harms real children. If you found it somewhere, report it to a hotline. If you are worried about your own behaviour, confidential help is available.',
    },
    teen: {
      title: "This can't be uploaded",
      body: "This picture or video can't be shared here. If it shows you or someone you know, you are not in trouble and you are not alone: there are people who can help get it removed. Talk to a helpline or an adult you trust.",
    },
    child: {
      title: "This can't be shared",
      body: "This picture can't be shared here. If someone asked you to send pictures, or you are worried about a picture, tell an adult you trust or contact a helpline. It is not your fault.",
    },
  },
  'child-safety': {
    adult: {
      title: 'Keeping children safe online',
      body: 'If you are worried that a child is being contacted or pressured online, you can get advice and report it. Do not forward any images: report them instead.',
    },
    teen: {
      title: 'Is someone pressuring you?',
      body: 'If someone online asks you for pictures, wants you to keep your chats secret, or threatens to share pictures of you, it is not your fault. Stop replying, keep the messages, and talk to a helpline or an adult you trust.',
    },
    child: {
      title: 'Stay safe online',
      body: 'If someone online asks you for pictures or asks you to keep a secret, tell an adult you trust. You can also contact a helpline for free.',
    },
  },
  victim: {
    adult: {
      title: 'Help if images of you are being shared',
      body: 'If images of you as a child are being shared, you can get support and have them removed. Hotlines take reports and ask services to take the images down; support services can help you through it.',
    },
    teen: {
      title: 'If a picture of you is being shared',
      body: 'You are not in trouble. You can get help to have it taken down, and talk to someone who understands.',
    },
    child: {
      title: 'If a picture of you is being shared',
      body: 'It is not your fault. Tell an adult you trust or contact a helpline: they can help make it stop.',
    },
  },
};
